# serenytics-python-client.txt lines 466-478
options = {
            'order': 'row_by_row',
            'data_processing_pipeline': [{
                'group_by': ['country', 'year'],
                'order_by': [{'name': 'revenue', 'agg_function': 'sum', 'direction': 'desc'}],
                'select': [{'name': 'revenue', 'agg_function': 'sum'},
                           {'name': 'invoice', 'agg_function': 'dcount'}],
                'where': [{'name': 'revenue', 'op': '>', 'value': '20'}],
                'limit': 100,
            }]
        }

data = source.get_data(options=options)
