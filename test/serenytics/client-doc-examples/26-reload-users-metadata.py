# serenytics-python-client.txt lines 789-792
import serenytics

source = client.get_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.reload_users_metadata()
