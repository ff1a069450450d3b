# serenytics-python-client.txt lines 396-406
import serenytics
client = serenytics.Client()

source = client.get_data_source_by_name(name='MY_SQL_DATA_SOURCE')

data = [{'country': 'FR', 'name': 'John', 'quantity': 10},
        {'country': 'US', 'name': 'Mark', 'quantity': 2},
        {'country': 'UK', 'name': 'John', 'quantity': 1},
        {'country': 'US', 'name': 'David', 'quantity': 8}
]
source.batch(rows_to_insert=data)
