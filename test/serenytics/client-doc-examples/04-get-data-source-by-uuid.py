# serenytics-python-client.txt lines 69-72
import serenytics
client = serenytics.Client()

source = client.get_data_source_by_uuid(uuid='182018f9-a18a-4cf0-993f-9e3fa45d3f61')
