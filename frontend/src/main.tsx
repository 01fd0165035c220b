import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { RouterProvider } from './app/router';
import { loadRuntimeConfig } from './config/env';
import { createApiClient } from './lib/api-client';
import { ApiClientProvider } from './lib/api-context';
import './styles.css';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root');
const root = createRoot(rootElement);

loadRuntimeConfig().then(
  (config) => {
    root.render(
      <StrictMode>
        <ApiClientProvider client={createApiClient(config)}>
          <RouterProvider>
            <App />
          </RouterProvider>
        </ApiClientProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main id="main">
        <div className="notice notice-error" role="alert" data-testid="notice-config">
          <div>
            <p className="notice-title">The dashboard is not configured</p>
            <p className="notice-detail">{error instanceof Error ? error.message : String(error)}</p>
            <p className="notice-detail">
              Its server generates /config.json from FATHOM_API_URL (and FATHOM_API_TOKEN when the API needs one).
            </p>
          </div>
        </div>
      </main>,
    );
  },
);
