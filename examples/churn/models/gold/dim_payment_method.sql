-- Payment-method dimension of the star schema.
select
  payment_method,
  payment_method like '%automatic%' as is_automatic
from (select distinct payment_method from {{ ref('silver.customers') }})
