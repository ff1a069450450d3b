# serenytics-python-client.txt lines 961-966
import serenytics
client = serenytics.Client()

webapp = client.get_webapps()[0]

print webapp.folder_name
