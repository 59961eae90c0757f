"""Flask endpoint that returns a user's EC2 credentials."""
from flask import Flask, abort, g, jsonify

from identity import backend

app = Flask(__name__)


@app.route('/v3/users/<user_id>/credentials/OS-EC2/<access>')
def get_ec2_credential(user_id, access):
    if g.auth['user_id'] != user_id and 'admin' not in g.auth['roles']:
        abort(403)
    cred = backend.credentials.get(access)
    if cred is None or cred['user_id'] != user_id:
        abort(404)
    return jsonify({'credential': {'access': access,
                                   'secret': cred['secret'],
                                   'tenant_id': cred['project_id']}})


@app.route('/v3/users/<user_id>/credentials/OS-EC2')
def list_ec2_credentials(user_id):
    if g.auth['user_id'] != user_id and 'admin' not in g.auth['roles']:
        abort(403)
    creds = backend.credentials.list_for_user(user_id)
    return jsonify({'credentials': [{'access': c['access'],
                                     'tenant_id': c['project_id']} for c in creds]})
