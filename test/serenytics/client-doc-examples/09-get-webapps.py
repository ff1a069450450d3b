# serenytics-python-client.txt lines 184-189
import serenytics
client = serenytics.Client()

webapps = client.get_webapps()
for webapp in webapps:
    print(webapp.folder_name, webapp.name)
