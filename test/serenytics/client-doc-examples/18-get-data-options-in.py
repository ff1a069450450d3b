# serenytics-python-client.txt lines 511-522
options = {
            'order': 'row_by_row',
            'data_processing_pipeline': [{
                'select': [{'name': 'revenue', 'agg_function': 'sum'},
                           {'name': 'invoice', 'agg_function': 'dcount'}],
                'where': [{'name': 'quarter', 'op': 'in', 'value': '["Q1","Q2"]'},
                          {'name': 'category', 'op': '!in', 'value': '[1,2,5,9]'}],
                'limit': 100,
            }]
        }

data = source.get_data(options=options)
