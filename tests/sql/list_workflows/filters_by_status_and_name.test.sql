begin;
select plan(4);

select pgqrs_test.new_workflow('wf') as wf_pending \gset
select pgqrs_test.new_workflow('report') as report_pending \gset
select workflow_id as wf_running from pgqrs_test.running_workflow() \gset

-- TEST: p_status and p_name filter the list, alone or together
select set_eq($$select id from pgqrs.list_workflows(p_status => 'PENDING')$$,
              format('values (%L::uuid), (%L::uuid)', :'wf_pending', :'report_pending'), 'by status');
select set_eq($$select id from pgqrs.list_workflows(p_name => 'wf')$$,
              format('values (%L::uuid), (%L::uuid)', :'wf_pending', :'wf_running'), 'by name');
select set_eq($$select id from pgqrs.list_workflows(p_status => 'PENDING', p_name => 'wf')$$,
              format('values (%L::uuid)', :'wf_pending'), 'by both');
select is_empty($$select id from pgqrs.list_workflows(p_status => 'DEAD')$$, 'no DEAD workflow');

select * from finish();
rollback;
