/**
 * Delete: DeleteVpnConnection, then wait for `deleted`. Not found is done.
 *
 * Only a connection carrying this construct's owner tag is deleted. The
 * handler tags every connection it makes at creation, so an untagged one (or
 * one tagged for another owner) reached this Delete through a hand-edited
 * physical id or an import, and deleting it would cut someone else's tunnels.
 * The handler's IAM policy allows DeleteVpnConnection only on owner-tagged
 * connections anyway, so trying would fail the stack deletion forever.
 * The Delete therefore succeeds without touching it and says so in the log:
 * leaving a connection behind is recoverable, deleting the wrong one is not.
 */
import { deleteConnection, describeConnection, tagValue } from './ec2-vpn';
import { callFailed, waitFor } from './outcome';
import { VPN_OWNER_TAG_KEY } from '../../src/private/contract/site-to-site-vpn';
import { classifyError } from '../shared/errors';
import { IsCompleteResponse } from '../shared/events';
import { log } from '../shared/log';

const DONE: IsCompleteResponse = { IsComplete: true };

/** One Delete pass: start the deletion if it has not started, and report whether the connection is gone. */
export async function deletePass(connectionId: string, ownerTag: string, deadline: number | undefined): Promise<IsCompleteResponse> {
  let connection;
  try {
    connection = await describeConnection(connectionId);
  } catch (err) {
    return callFailed(connectionId, deadline, 'DescribeVpnConnections', connectionId, err);
  }
  const state = String(connection?.State ?? 'deleted');
  if (!connection || state === 'deleted') {
    log.info('connection deleted', { connectionId, found: connection !== undefined });
    return DONE;
  }
  if (state === 'deleting') {
    return waitFor(connectionId, deadline, "connection state 'deleting'");
  }
  const owner = tagValue(connection, VPN_OWNER_TAG_KEY);
  if (owner !== ownerTag) {
    log.warn('not deleting a connection this construct does not own', {
      connectionId, ownerTagKey: VPN_OWNER_TAG_KEY, expected: ownerTag, found: owner ?? null,
    });
    return DONE;
  }
  try {
    await deleteConnection(connectionId);
  } catch (err) {
    if (classifyError(err) === 'not-found') {
      return DONE;
    }
    return callFailed(connectionId, deadline, 'DeleteVpnConnection', connectionId, err);
  }
  log.info('DeleteVpnConnection started', { connectionId, stateBefore: state });
  return waitFor(connectionId, deadline, 'DeleteVpnConnection started');
}
