select country, region
from (values
  ('France', 'Europe'), ('Germany', 'Europe'), ('Spain', 'Europe'), ('Italy', 'Europe'),
  ('United Kingdom', 'Europe'), ('Belgium', 'Europe'), ('Netherlands', 'Europe'),
  ('Switzerland', 'Europe'), ('Portugal', 'Europe'), ('Sweden', 'Europe'), ('Norway', 'Europe'),
  ('Poland', 'Europe'), ('United States', 'North America'), ('Canada', 'North America'),
  ('Mexico', 'North America'), ('Brazil', 'South America'), ('Japan', 'Asia'), ('India', 'Asia'),
  ('Australia', 'Oceania'), ('South Africa', 'Africa')
) as regions (country, region)
