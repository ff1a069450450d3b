# serenytics-python-client.txt lines 725-734
import serenytics
import pandas

client = serenytics.Client()
df = pandas.DataFrame({'country': ['FR', 'US', 'UK', 'US'],
                       'name': ['John', 'Mark', 'John', 'David'],
                       'quantity': [10, 2, 1, 8]})

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.reload_data_from_dataframe(df)
