-- Billing fact of the star schema: one row per customer and monthly snapshot, keyed to the dimensions.
select
  customer_id,
  cast(snapshot_date as date) as snapshot_date,
  contract,
  payment_method,
  cast(monthly_charges as double) as monthly_charges,
  churn = 'Yes' as churned
from {{ ref('bronze.customers') }}
