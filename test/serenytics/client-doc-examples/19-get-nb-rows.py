# serenytics-python-client.txt lines 545-550
import serenytics
client = serenytics.Client()

data_sources = client.get_data_sources()
for source in data_sources:
    print("The source '{0}' contains {1} rows".format(source.name, source.get_nb_rows()))
