-- One row per customer: their latest snapshot, typed and cleaned. total_charges is empty for customers in their
-- first month; it becomes NULL.
select
  customer_id,
  cast(snapshot_date as date) as snapshot_date,
  churn,
  female,
  senior_citizen,
  partner,
  dependents,
  tenure,
  phone_service,
  multiple_lines,
  internet_service,
  online_security,
  online_backup,
  device_protection,
  tech_support,
  streaming_tv,
  streaming_movies,
  contract,
  paperless_billing,
  payment_method,
  cast(monthly_charges as double) as monthly_charges,
  try_cast(nullif(trim(cast(total_charges as varchar)), '') as double) as total_charges
from {{ ref('bronze.customers') }}
qualify row_number() over (partition by customer_id order by snapshot_date desc, _ingested_at desc) = 1
