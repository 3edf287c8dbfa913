// The seed's fetch snippets: "Login Flow" (top-level code there, a function here), "API Calls with
// Auto-Refresh" and "Logout", as they are.
export const login = async (email, password) => {
// Login
const response = await fetch('/api/auth/login', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  credentials: 'include', // Important for cookies!
  body: JSON.stringify({ email, password })
});

const { token, refreshToken, user } = await response.json();

// Store access token
localStorage.setItem('accessToken', token);
// Refresh token is in httpOnly cookie automatically
return { token, refreshToken, user };
};

export const apiCall = async (url, options = {}) => {
  let token = localStorage.getItem('accessToken');
  
  // Add token to request
  options.headers = {
    ...options.headers,
    'Authorization': `Bearer ${token}`
  };
  options.credentials = 'include'; // For refresh token cookie
  
  let response = await fetch(url, options);
  
  // If access token expired, refresh it
  if (response.status === 401) {
    // Refresh token
    const refreshResponse = await fetch('/api/auth/refresh-token', {
      method: 'POST',
      credentials: 'include'
    });
    
    if (refreshResponse.ok) {
      const { token: newToken } = await refreshResponse.json();
      localStorage.setItem('accessToken', newToken);
      
      // Retry original request with new token
      options.headers.Authorization = `Bearer ${newToken}`;
      response = await fetch(url, options);
    } else {
      // Refresh token expired, redirect to login
      window.location.href = '/login';
      return;
    }
  }
  
  return response;
};

export const logout = async () => {
  try {
    await fetch('/api/auth/logout', {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${localStorage.getItem('accessToken')}`
      },
      credentials: 'include'
    });
  } finally {
    localStorage.removeItem('accessToken');
    window.location.href = '/login';
  }
};
