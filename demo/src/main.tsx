import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The app shell is cached so that the app opens with no network; dev mode goes without.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').then(
    () =>
      navigator.serviceWorker.ready.then(() =>
        document.body.setAttribute('data-offline-ready', ''),
      ),
    (error: unknown) => console.warn('the app will not open offline:', error),
  );
}
