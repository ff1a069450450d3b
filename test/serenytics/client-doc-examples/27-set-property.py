# serenytics-python-client.txt lines 812-816
import serenytics

source = client.get_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.set_property("server_ip","monserveursql.domain.com)
source.save()
