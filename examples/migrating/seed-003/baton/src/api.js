// Token management functions

// Token storage and retrieval
export function getAccessToken() {
  return localStorage.getItem("accessToken");
}

export function setAccessToken(token) {
  if (token) {
    localStorage.setItem("accessToken", token);
    console.log('[TOKEN] Access token set:', token.substring(0, 30) + '...');
  } else {
    localStorage.removeItem("accessToken");
    console.log('[TOKEN] Access token cleared');
  }
}

export function getRole() {
  return localStorage.getItem("role");
}

export function setRole(role) {
  if (role) {
    localStorage.setItem("role", role);
    console.log('[TOKEN] Role set:', role);
  } else {
    localStorage.removeItem("role");
    console.log('[TOKEN] Role cleared');
  }
}

export function clearAuth() {
  localStorage.removeItem("accessToken");
  localStorage.removeItem("role");
  localStorage.removeItem("userName");
  console.log('[TOKEN] All auth data cleared');
}

// Global token monitoring system

// Global token monitoring variables
let tokenMonitorInterval = null;
let isRefreshing = false;

// Start monitoring for token changes
export function startTokenMonitoring() {
  if (tokenMonitorInterval) return; // Already monitoring
  
  console.log('[TOKEN] Starting token monitoring...');
  
  tokenMonitorInterval = setInterval(() => {
    const currentToken = getAccessToken();
    const currentRole = getRole();
    
    // If we have a role but no token, try to refresh
    if (currentRole && !currentToken && !isRefreshing) {
      console.log('[TOKEN] Detected missing access token, attempting refresh...');
      attemptTokenRefresh();
    }
  }, 1000); // Check every second
}

// Stop monitoring
export function stopTokenMonitoring() {
  if (tokenMonitorInterval) {
    clearInterval(tokenMonitorInterval);
    tokenMonitorInterval = null;
    console.log('[TOKEN] Token monitoring stopped');
  }
}

// Attempt to refresh the token
async function attemptTokenRefresh() {
  if (isRefreshing) return; // Prevent multiple simultaneous refreshes
  
  isRefreshing = true;
  console.log('[TOKEN] Starting automatic token refresh...');
  
  try {
    const res = await fetch('http://localhost:5000/api/auth/refresh', {
      method: 'POST',
      credentials: 'include',
      headers: {
        'Content-Type': 'application/json',
      }
    });

    console.log('[TOKEN] Refresh response status:', res.status);

    if (res.ok) {
      const data = await res.json();
      console.log('[TOKEN] ✅ Automatic refresh successful!');
      
      if (data.accessToken) {
        setAccessToken(data.accessToken);
        
        if (data.user) {
          setRole(data.user.roles[0]);
        }
        
        console.log('[TOKEN] ✅ Authentication restored automatically');
        
        // Dispatch a custom event to notify components
        window.dispatchEvent(new CustomEvent('tokenRefreshed', { 
          detail: { accessToken: data.accessToken, role: data.user.roles[0] } 
        }));
      }
    } else {
      console.log('[TOKEN] ❌ Automatic refresh failed, status:', res.status);
      clearAuth();
      
      // Dispatch logout event
      window.dispatchEvent(new CustomEvent('tokenRefreshFailed'));
    }
  } catch (err) {
    console.log('[TOKEN] ❌ Automatic refresh error:', err.message);
    clearAuth();
    window.dispatchEvent(new CustomEvent('tokenRefreshFailed'));
  } finally {
    isRefreshing = false;
  }
}

// Centralized API service

export default async function apiFetch(url, options = {}) {
  let token = getAccessToken();
  const headers = { ...(options.headers || {}) };

  // Add authorization header if token exists
  if (token) {
    headers["Authorization"] = `Bearer ${token}`;
  }

  // Ensure credentials are included for cookies
  const fetchOptions = { 
    ...options, 
    headers, 
    credentials: "include" 
  };
  
  let response = await fetch(url, fetchOptions);

  // Auto-refresh on 401 responses (Baton's 403 is a missing role: a refresh would not change it)
  if (response.status === 401) {
    console.log('[TOKEN] Access token invalid, attempting refresh...');
    
    try {
      const refreshRes = await fetch('http://localhost:5000/api/auth/refresh', {
        method: "POST",
        credentials: "include",
        headers: {
          "Content-Type": "application/json",
        }
      });
      
      if (!refreshRes.ok) {
        console.log('[TOKEN] Refresh failed, clearing auth data');
        clearAuth();
        
        // Only redirect if we're not already on login page
        if (window.location.pathname !== "/login") {
          window.location.href = "/login";
        }
        throw new Error("Session expired");
      }
      
      const data = await refreshRes.json();
      if (!data.accessToken) {
        console.log('[TOKEN] No access token in refresh response');
        throw new Error("No access token from refresh");
      }
      
      console.log('[TOKEN] Refresh successful, updating tokens');
      setAccessToken(data.accessToken);
      if (data.user) {
        setRole(data.user.roles[0]);
      }
      
      // Retry original request with new token
      token = data.accessToken;
      fetchOptions.headers["Authorization"] = `Bearer ${token}`;
      response = await fetch(url, fetchOptions);
      
    } catch (err) {
      console.log('[TOKEN] Refresh error:', err.message);
      clearAuth();
      
      // Only redirect if we're not already on login page
      if (window.location.pathname !== "/login") {
        window.location.href = "/login";
      }
      throw err;
    }
  }

  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw json;
  return json;
}
