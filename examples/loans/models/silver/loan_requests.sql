-- Loan requests as they arrive (amount asked, price of the purchase, term in months).
select
  applicant_id,
  cast(requested_at as timestamp) as requested_at,
  cast(amount as double) as amount,
  cast(price as double) as price,
  cast(term as double) as term
from {{ ref('bronze.loan_requests') }}
