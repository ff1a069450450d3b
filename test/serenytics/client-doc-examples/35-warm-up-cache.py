# serenytics-python-client.txt lines 1072-1076
import serenytics
client = serenytics.Client()

webapp = client.get_webapps()[0]
webapp.warm_up_cache()
