# serenytics-python-client.txt lines 165-168
import serenytics
client = serenytics.Client()

webapp = client.get_webapp_by_uuid(uuid='182018f9-a18a-4cf0-993f-9e3fa45d3f61')
