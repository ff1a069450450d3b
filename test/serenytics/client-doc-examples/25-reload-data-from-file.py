# serenytics-python-client.txt lines 762-771
import serenytics

filename = 'PATH_TO_LOCAL_FILE'

force_types = {
  'creation_date': 'datetime'
}

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.reload_data_from_file(filename=filename, separator=';', force_types=force_types)
