-- One row per customer with the features the churn model learns from (customer_id and snapshot_date are
-- excluded from the features in millrace.yaml).
select
  *,
  (case when online_security = 'Yes' then 1 else 0 end)
    + (case when online_backup = 'Yes' then 1 else 0 end)
    + (case when device_protection = 'Yes' then 1 else 0 end)
    + (case when tech_support = 'Yes' then 1 else 0 end)
    + (case when streaming_tv = 'Yes' then 1 else 0 end)
    + (case when streaming_movies = 'Yes' then 1 else 0 end) as num_services
from {{ ref('silver.customers') }}
