"""moto's server, with IAM's ListUsers paged the way AWS pages it.

moto 5.2.5 answers ListUsers with every user at once and ignores MaxItems and Marker. AWS
returns at most MaxItems users (100 by default) and a Marker for the next page; a client that
reads only the first page (as AWS's own sample rotation solution did) misses the rest. The
tests must be able to catch that, so this starts the real moto server with only that answer
changed. Usage: python moto_server.py [moto_server arguments]
"""

import sys

from moto.core.responses import ActionResult
from moto.iam.responses import IamResponse
from moto.server import main

AWS_DEFAULT_MAX_ITEMS = 100


def list_users(self):
    path_prefix = self._get_param("PathPrefix")
    max_items = int(self._get_param("MaxItems") or AWS_DEFAULT_MAX_ITEMS)
    start = int(self._get_param("Marker") or 0)
    users = list(self.backend.list_users(path_prefix, None, None))
    end = start + max_items
    result = {"Users": users[start:end], "IsTruncated": end < len(users)}
    if end < len(users):
        result["Marker"] = str(end)
    return ActionResult(result)


IamResponse.list_users = list_users

if __name__ == "__main__":
    main(sys.argv[1:])
