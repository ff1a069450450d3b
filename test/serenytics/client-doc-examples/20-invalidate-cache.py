# serenytics-python-client.txt lines 565-569
import serenytics
client = serenytics.Client()

source = client.get_data_source_by_name(name='MY_SQL_DATA_SOURCE')
source.invalidate_cache()
