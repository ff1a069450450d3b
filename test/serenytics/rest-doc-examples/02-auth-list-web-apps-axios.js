// serenytics-rest-api.txt lines 51-64, verbatim
// biome-ignore-all format: the vendor doc's example, kept verbatim
// biome-ignore-all lint: the vendor doc's example, kept verbatim
var axios = require('axios');
route = "https://api.serenytics.com/api/web_app"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}
axios.get(route, {headers:headers}).then(response => {
  console.log(response.data);
  console.log('DONE');
}).catch((e)=>{
  console.log(e);
  console.log('FAILED');
});
