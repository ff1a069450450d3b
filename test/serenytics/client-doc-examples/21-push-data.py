# serenytics-python-client.txt lines 588-594
import serenytics
client = serenytics.Client()

data = {'country': 'FR', 'name': 'John', 'quantity': 10}

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.push_data(data=data)
