# serenytics-python-client.txt lines 894-905
import serenytics
import pandas as pd

client = serenytics.Client()

source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')

# get all the data from a source, as a pandas dataframe
df = source.get_data().get_as_dataframe()

# print the dataframe
print(df)
