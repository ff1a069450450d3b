# serenytics-python-client.txt lines 853-858
import serenytics

filename = 'PATH_TO_LOCAL_FILE'

source = client.get_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.update_data_from_file(filename=filename, primary_key='id')
