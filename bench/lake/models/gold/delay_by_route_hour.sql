select route, dep_hour, count(*) as flights, avg(delay) as mean_delay, avg(delayed15::int) as share_delayed
from {{ ref('silver.flights') }}
group by route, dep_hour
