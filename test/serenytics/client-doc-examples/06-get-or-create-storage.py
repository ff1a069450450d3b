# serenytics-python-client.txt lines 116-119
import serenytics
client = serenytics.Client()

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
