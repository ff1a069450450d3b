# serenytics-python-client.txt lines 299-321
import serenytics
import pandas as pd
import numpy as np
from subprocess import check_call

client = serenytics.Client()

subject = "Your CSV file"
recipients= ['john.doe@serenytics.com']
html = "Hello,<br> Here is the data."

# generate a random dataframe (could be obtained from a Serenytics datasource)
df = pd.DataFrame(np.random.randn(6,4),columns=list('ABCD'))

filepath = 'filename.csv'
df.to_csv(filepath, index=False, sep=";")

# in this example, we compress the CSV file
check_call(['gzip', filepath])
zip_file = filepath + '.gz'

client.send_email(subject=subject, recipients=recipients, html=html,
                file_to_attach=zip_file)
