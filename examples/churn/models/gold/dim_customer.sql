-- Customer dimension, SCD type 2: every snapshot that changed a customer's plan opens a new row
-- (valid_from / valid_to / is_current), so a contract renegotiated in February keeps its January history.
{{ config(materialized='scd2', unique_key='customer_id', strategy='timestamp', updated_at='snapshot_date',
          tracked=['contract', 'payment_method', 'internet_service', 'monthly_charges']) }}
select
  customer_id,
  cast(snapshot_date as date) as snapshot_date,
  female,
  senior_citizen,
  partner,
  dependents,
  contract,
  payment_method,
  internet_service,
  cast(monthly_charges as double) as monthly_charges
from {{ ref('bronze.customers') }}
