import { useEffect, useState } from 'react';

/** The app's places, kept in the URL hash so reloads and the back button work: #/, #/c/{id}, #/settings. */
export type Route = { page: 'home' } | { page: 'conversation'; id: string } | { page: 'settings' };

function parse(hash: string): Route {
  const conversation = /^#\/c\/([0-9a-f]{32})/.exec(hash);
  if (conversation) return { page: 'conversation', id: conversation[1]! };
  if (hash.startsWith('#/settings')) return { page: 'settings' };
  return { page: 'home' };
}

export function navigate(route: Route): void {
  location.hash =
    route.page === 'conversation' ? `#/c/${route.id}` : route.page === 'settings' ? '#/settings' : '#/';
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
