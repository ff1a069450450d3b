# serenytics-python-client.txt lines 93-98
import serenytics
client = serenytics.Client()

data_sources = client.get_data_sources()
for source in data_sources:
    print(source.name, source.type, source.uuid)
