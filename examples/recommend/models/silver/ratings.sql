-- One row per (user, item): the latest rating a user gave an item (a re-rating replaces the earlier one).
select
  user_id,
  item_id,
  cast(rating as double) as rating,
  cast(rated_at as timestamp) as rated_at
from {{ ref('bronze.ratings') }}
qualify row_number() over (partition by user_id, item_id order by rated_at desc, _ingested_at desc) = 1
