# serenytics-python-client.txt lines 438-447
import serenytics
client = serenytics.Client()

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')

# get all the data from a source
all_data = source.get_data()

# print the headers of the data source
print(all_data.headers)
