-- Every profile snapshot of every applicant (history kept: the feature view picks the one valid at each time).
select
  applicant_id,
  cast(profile_updated_at as timestamp) as profile_updated_at,
  cast(seniority as double) as seniority,
  home,
  cast(age as double) as age,
  marital,
  records,
  job,
  cast(expenses as double) as expenses,
  try_cast(income as double) as income,
  try_cast(assets as double) as assets,
  try_cast(debt as double) as debt
from {{ ref('bronze.applicant_profiles') }}
