-- The labels: each application's outcome at its decision time.
select
  applicant_id,
  cast(decided_at as timestamp) as decided_at,
  status
from {{ ref('bronze.loan_decisions') }}
