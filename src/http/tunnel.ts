import ngrok from '@ngrok/ngrok';
import { AppError } from '../errors.js';

/**
 * Opens an ngrok tunnel (library form, no binary download) to the local port and returns its
 * public https URL. Needs an ngrok authtoken. `close()` tears the tunnel down.
 */
export async function openTunnel(
  port: number,
  authtoken: string | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  if (!authtoken) {
    throw new AppError(
      'CONFIG_INVALID',
      'TUNNEL needs NGROK_AUTHTOKEN (get one at dashboard.ngrok.com)',
    );
  }
  const listener = await ngrok.forward({ addr: port, authtoken });
  const url = listener.url();
  if (!url) throw new AppError('PROVIDER_UNAVAILABLE', 'ngrok returned no public URL');
  return { url, close: () => listener.close() };
}
