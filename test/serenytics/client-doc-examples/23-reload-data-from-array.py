# serenytics-python-client.txt lines 685-695
import serenytics
client = serenytics.Client()

columns = ['country', 'name', 'quantity']
rows = [['FR', 'John', 10],
        ['US', 'Mark', 2],
        ['UK', 'John', 1],
        ['US', 'David', 8]]

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.reload_data_from_array(columns=columns, rows=rows)
