-- Typed, cleaned flights: delay outliers beyond a day dropped, a route column, the label as a boolean.
select month, day_of_month, day_of_week, dep_hour, dep_minute_of_day, distance,
       origin, destination, origin || '-' || destination as route,
       delay, delayed15 = 1 as delayed15
from {{ source('flights') }}
where delay between -1440 and 1440
