# serenytics-python-client.txt lines 19-21
import serenytics

client = serenytics.Client()
