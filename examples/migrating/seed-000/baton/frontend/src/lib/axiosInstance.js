import axios from "axios";

const backendURL = import.meta.env.VITE_BACKEND_URL;

// Create axios instance with base configuration
const axiosInstance = axios.create({
    baseURL: backendURL,
    withCredentials: true,  // Enable cookie sending
});

// Token management
let currentAccessToken = null;
let tokenRefreshFail = null; // optional global cleanup callback

// Set access token in memory and axios headers
export const setAccessToken = (token) => {
    currentAccessToken = token;
    axiosInstance.defaults.headers.common["Authorization"] = token ? `Bearer ${token}` : undefined;
};

// Get current access token
export const getAccessToken = () => currentAccessToken;

// Allow app to register a callback when refresh fails (e.g., to disconnect socket and clear state)
export const setTokenRefreshFailCallback = (cb) => {
    tokenRefreshFail = cb;
};

// Response interceptor for automatic token refresh
axiosInstance.interceptors.response.use(
    (response) => response,
    async (error) => {
        const { config: originalRequest, response } = error;
        
        // Only handle 401s that haven't been retried and aren't refresh requests
        if (response?.status === 401 && !originalRequest._retry && 
            !originalRequest.url?.includes('/refresh-token')) {
            
            originalRequest._retry = true;
            
            try {
                // Use fresh axios to avoid interceptor loops
                const refreshAxios = axios.create({ 
                    baseURL: backendURL, 
                    withCredentials: true 
                });
                const { data } = await refreshAxios.post('/api/auth/refresh-token');
                
                if (data?.accessToken) {
                    // Update token and retry original request
                    setAccessToken(data.accessToken);
                    originalRequest.headers.Authorization = `Bearer ${data.accessToken}`;
                    return axiosInstance(originalRequest);
                }
            } catch {
                // Refresh failed - trigger global cleanup if provided
                if (tokenRefreshFail) tokenRefreshFail();
            }
            
            setAccessToken(null);
        }
        
        return Promise.reject(error);
    }
);

export default axiosInstance;
