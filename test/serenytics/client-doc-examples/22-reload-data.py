# serenytics-python-client.txt lines 630-640
import serenytics
client = serenytics.Client()

data = [{'country': 'FR', 'name': 'John', 'quantity': 10},
        {'country': 'US', 'name': 'Mark', 'quantity': 2},
        {'country': 'UK', 'name': 'John', 'quantity': 1},
        {'country': 'US', 'name': 'David', 'quantity': 8}
]

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.reload_data(new_data=data)
