-- The interactions the recommenders learn from, with what is known about each user and item (the two-tower
-- model's towers read segment/age and genre/price; the collaborative-filtering models use the ids and ratings).
select
  r.user_id,
  r.item_id,
  r.rating,
  r.rated_at,
  u.segment,
  cast(u.age as double) as age,
  i.genre,
  cast(i.price as double) as price
from {{ ref('silver.ratings') }} r
left join {{ ref('bronze.users') }} u using (user_id)
left join {{ ref('bronze.items') }} i using (item_id)
