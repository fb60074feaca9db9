-- Contract dimension of the star schema: one row per contract type with its commitment in months.
select
  contract,
  case contract when 'Month-to-month' then 1 when 'One year' then 12 when 'Two year' then 24 end as commitment_months
from (select distinct contract from {{ ref('silver.customers') }})
