-- Mart: churn and revenue at risk by contract and payment method, from the latest snapshot of the billing fact.
select
  f.contract,
  c.commitment_months,
  f.payment_method,
  p.is_automatic,
  count(*) as customers,
  round(avg(case when f.churned then 1.0 else 0.0 end), 4) as churn_rate,
  round(avg(f.monthly_charges), 2) as avg_monthly_charges,
  round(sum(case when f.churned then f.monthly_charges else 0 end), 2) as monthly_revenue_at_risk
from (
  select * from {{ ref('gold.fact_billing') }}
  qualify row_number() over (partition by customer_id order by snapshot_date desc) = 1
) f
join {{ ref('gold.dim_contract') }} c using (contract)
join {{ ref('gold.dim_payment_method') }} p using (payment_method)
group by all
order by churn_rate desc
