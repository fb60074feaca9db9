select origin, count(*) as flights, avg(delay) as mean_delay, avg(delayed15::int) as share_delayed,
       quantile_cont(delay, 0.9) as p90_delay
from {{ ref('silver.flights') }}
group by origin
