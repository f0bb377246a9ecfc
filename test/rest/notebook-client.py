# The notebook's client (its BlockchainApp's request methods) and its
# hash_block, unchanged apart from host and port, which come from argv. The
# thread and Flask parts are left out: the server under test is ours.
import hashlib
import json
import sys

import requests


class BlockchainApp:

    def __init__(self):

        self.host = sys.argv[1]
        self.port = int(sys.argv[2])
        self.host_url = 'http://{}:{}'.format(self.host, self.port)

    def mine_block(self):
        return requests.post('{}/blocks'.format(self.host_url))

    def get_blockchain(self):
        return requests.get('{}/blocks'.format(self.host_url))


def hash_block(block):
    "Calculate the SHA256-hash for a block."

    encoded_block = json.dumps(block, sort_keys=True).encode()
    return hashlib.sha256(encoded_block).hexdigest()


blockchain_app = BlockchainApp()
mined = []
for _ in range(int(sys.argv[3])):
    response = blockchain_app.mine_block()
    mined.append({'status': response.status_code, 'body': response.json()})

response = blockchain_app.get_blockchain()
chain = response.json()['blockchain']
print(json.dumps({
    'mined': mined,
    'chain': {'status': response.status_code, 'body': response.json()},
    # What the notebook's Python computes for each block: the next block's previous_hash must match.
    'hashes': [hash_block(block) for block in chain],
}))
