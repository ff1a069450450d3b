# serenytics-python-client.txt lines 48-51
import serenytics
client = serenytics.Client()

source = client.get_data_source_by_name(name='MY_DATA_SOURCE_NAME')
